/** Names of the files a video's results folder holds beside the .npy arrays (vocabulary the UI shares). */
export const NPZ_NAME = 'features.npz';
export const META_NAME = 'meta.json';
export const PREDICTIONS_NAME = 'predictions.json';
