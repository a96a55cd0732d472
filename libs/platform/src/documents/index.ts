export * from './blob-store';
export * from './documents.service';
export * from './documents.controller';
export * from './documents.migration';
export * from './document-ref.dto';
