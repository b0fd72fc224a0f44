/**
 * npm run extract -- VIDEO|DIR... --out DIR --rgb RGB.pt --flow FLOW.pt [options]   (see extract/args.ts, README)
 * npm run extract -- merge --out DIR [--list FILE | DIR --recursive] [--h5 FILE]
 * npm run extract -- --help
 *
 * Runs the app itself (the built app, in headless Chromium) on each video and writes one folder per input under
 * DIR: rgb_fc.npy rgb_map.npy rgb_logits.npy flow_fc.npy flow_map.npy flow_logits.npy predictions.json
 * features.npz and, last, meta.json (with the size and sha256 of the others). A complete folder made with the same
 * settings and models is skipped; one failed video is reported (`PATH: E_CODE: message (detail)`) and the others
 * go on; the exit status is 1 if any failed. `--h5 FILE` also writes every complete video to one HDF5 file.
 */
import { toErrorInfo } from '../../src/errors';
import { parseOptions, USAGE } from './extract/args';
import { runMerge } from './extract/merge';
import { failureLine } from './extract/report';
import { runExtract } from './extract/run';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (argv[0] === 'merge') return runMerge(parseOptions(argv.slice(1), process.env, true));
  return runExtract(parseOptions(argv, process.env));
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (e: unknown) => {
    const info = toErrorInfo(e);
    console.error(info.code === 'E_INTERNAL' ? `extract: ${info.detail}` : failureLine('extract', info));
    if (process.argv.includes('--verbose') && e instanceof Error) console.error(e.stack);
    process.exit(2);
  },
);
