import { DOCUMENT_MEDIA_TYPES, SHA256_PATTERN } from '@dealledger/domain';
import { IsIn, IsInt, IsString, Matches, Min } from 'class-validator';

/**
 * A document as events carry it: its content's sha256 (the blob is stored by the app, content
 * addressed), the name it was attached under, its size and type. The hash in the event is what
 * makes the document part of the tamper-evident record: a changed file is another document.
 */
export class DocumentRef {
  @IsString() name: string;
  @Matches(SHA256_PATTERN) sha256: string;
  @IsInt() @Min(1) size: number;
  @IsIn(DOCUMENT_MEDIA_TYPES) mediaType: string;
}
