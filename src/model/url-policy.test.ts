import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { checkDeclaredSize, checkModelUrl, MAX_CHECKPOINT_BYTES } from './url-policy';

function code(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof AppError ? e.code : 'other';
  }
}

describe('checkModelUrl', () => {
  it('accepts https anywhere and http only for this machine', () => {
    expect(checkModelUrl('https://example.org/rgb.pt').href).toBe('https://example.org/rgb.pt');
    for (const u of ['http://localhost:8080/a.pt', 'http://127.0.0.1/a.pt']) expect(code(() => checkModelUrl(u))).toBeNull();
  });
  it('refuses other schemes and remote http with E_URL_SCHEME', () => {
    for (const u of [
      'http://example.org/a.pt',
      'http://localhost.example.org/a.pt',
      'ftp://x/a.pt',
      'file:///a.pt',
      'data:,x',
      'javascript:1',
      'not a url',
      'http://[::1]:3000/a.pt',
    ])
      expect(
        code(() => checkModelUrl(u)),
        u,
      ).toBe('E_URL_SCHEME');
  });
  it('says why remote http is refused', () => {
    expect(() => checkModelUrl('http://example.org/a.pt')).toThrow(/only for localhost/);
  });
});

describe('checkDeclaredSize', () => {
  it('reads Content-Length, null when absent or malformed', () => {
    expect(checkDeclaredSize('1234')).toBe(1234);
    expect(checkDeclaredSize(null)).toBeNull();
    expect(checkDeclaredSize('abc')).toBeNull();
  });
  it('refuses a declared size above the bound', () => {
    expect(checkDeclaredSize(String(MAX_CHECKPOINT_BYTES))).toBe(MAX_CHECKPOINT_BYTES);
    expect(code(() => checkDeclaredSize(String(MAX_CHECKPOINT_BYTES + 1)))).toBe('E_PICKLE_LIMIT');
  });
});
