/** OpenCV's cvRound / saturate_cast<int>(double|float): round half to even (the x86 default rounding mode). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // half rounds up (towards +∞)
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/** OpenCV's cvFloor. */
export const floor = Math.floor;
