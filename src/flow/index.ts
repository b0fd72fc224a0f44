/**
 * TV-L1 optical flow for the flow stream (DESIGN.md §3 step 3): OpenCV-exact CPU path, grey conversion,
 * post-processing into the I3D input, colour-wheel previews and a worker pool.
 */
export { DEFAULT_TVL1_PARAMS, TVL1, pyramidSizes, type GrayFrame, type TVL1Params, type TVL1Stats } from './cpu';
export { rgbToGray } from './gray';
export { CENTRE_CROP, centreCropOrigin } from './crop';
export { FLOW_BOUND, FLOW_CROP, encodeFlowValue, postprocessFlow, type FlowEncoding, type FlowPostprocessOptions } from './postprocess';
export { COLOUR_WHEEL, flowToRgba, type FlowColourOptions } from './colorwheel';
export { FlowPool, browserFlowPort, createBrowserFlowPool, flowInit, type FlowPairResult, type FlowWorkerPort } from './pool';
export type { FlowKernels, FlowRequest, FlowResponse, FlowWorkerInit } from './protocol';
