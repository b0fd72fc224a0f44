/**
 * The one centre-crop rule of both model streams (DESIGN §3 steps 2–3): the I3D input side (`I3D_INPUT_SIZE`,
 * 224) cut from the middle of the frame, top (H − crop)//2, left (W − crop)//2. Pure.
 */
import { AppError } from '../errors';
import { I3D_INPUT_SIZE } from '../model/i3d-layout';

/** Side of the square centre crop: the model's input size. */
export const CENTRE_CROP = I3D_INPUT_SIZE;

/** Top-left corner of the centre crop: top (H − crop)//2, left (W − crop)//2; frames smaller than the crop throw E_FLOW_CROP. */
export function centreCropOrigin(width: number, height: number, crop: number = CENTRE_CROP): { top: number; left: number } {
  if (width < crop || height < crop) throw new AppError('E_FLOW_CROP', `${width}×${height} frame, ${crop}×${crop} crop`);
  return { top: (height - crop) >> 1, left: (width - crop) >> 1 };
}
