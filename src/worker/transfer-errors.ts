/**
 * Makes typed errors survive the comlink boundary: a thrown AppError (or anything) crosses as ErrorInfo and is
 * rebuilt as an AppError on the other side. Part of the worker protocol: imported by the bridge and by the pipeline worker.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { AppError, toErrorInfo, type ErrorInfo } from '../errors';

interface Thrown {
  value: unknown;
}

const handler: TransferHandler<Thrown, ErrorInfo> = {
  canHandle: (value: unknown): value is Thrown =>
    typeof value === 'object' && value !== null && 'value' in value && Object.getOwnPropertySymbols(value).length > 0,
  serialize: (thrown) => [toErrorInfo(thrown.value), []],
  deserialize: (info) => {
    throw new AppError(info.code, info.detail);
  },
};

transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
