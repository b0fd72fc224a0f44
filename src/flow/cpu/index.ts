/** OpenCV-exact TV-L1 on the CPU (pure TypeScript). */
export { TVL1, TVL1_MIN_LEVEL_SIZE, pyramidSizes, type GrayFrame, type TVL1Kernels, type TVL1Stats } from './tvl1';
export { DEFAULT_TVL1_PARAMS, resolveTVL1Params, type TVL1Params } from './params';
