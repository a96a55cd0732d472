/**
 * What the ledger accepts as a document (specifications, certificates, signed PDFs, inspection
 * reports, evidence): a few formats, each recognised by its first bytes, so a declared type that
 * does not match the content is refused rather than stored and served under a false name.
 */
export const DOCUMENT_MEDIA_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;
export type DocumentMediaType = (typeof DOCUMENT_MEDIA_TYPES)[number];

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b);
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const ZIP = [0x50, 0x4b, 0x03, 0x04]; // Office Open XML is a zip package

function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether `bytes` are what `mediaType` says (null: a type the ledger does not take). */
export function contentMatches(mediaType: string, bytes: Uint8Array): boolean | null {
  switch (mediaType) {
    case 'application/pdf':
      return startsWith(bytes, PDF);
    case 'image/png':
      return startsWith(bytes, PNG);
    case 'image/jpeg':
      return startsWith(bytes, JPEG);
    case 'text/plain':
    case 'text/csv':
      return isText(bytes);
    case 'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
    case 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet':
      return startsWith(bytes, ZIP);
    default:
      return null;
  }
}
