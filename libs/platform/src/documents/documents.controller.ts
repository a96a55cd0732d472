import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { DOCUMENT_MEDIA_TYPES } from '@dealledger/domain';
import { Documents, DocumentErrors, documentMaxBytes, readBody } from './documents.service';
import { sha256Param } from './document-ref.dto';

/** Upload first, then attach by hash in the deal's own command; the deal's parties fetch it through the deal. */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('documents')
export class DocumentsController {
  constructor(private readonly documents: Documents) {}

  @Post()
  @HttpCode(201)
  @ApiConsumes(...DOCUMENT_MEDIA_TYPES)
  @ApiBody({ description: 'The document itself as the request body, with its Content-Type; at most DOCUMENT_MAX_BYTES (10 MiB)' })
  @ApiOperation({
    summary:
      'Upload a document (PDF, PNG, JPEG, text, CSV, DOCX, XLSX; the content must be what the Content-Type says): answers its sha256, to attach it to a deal by',
  })
  async upload(@Req() req: Request, @CurrentPrincipal() p: Principal) {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!(DOCUMENT_MEDIA_TYPES as readonly string[]).includes(mediaType)) throw DocumentErrors.typeNotAccepted(mediaType);
    return this.documents.upload(p.companyId, mediaType, await readBody(req, documentMaxBytes()));
  }

  @Get(':sha256')
  @ApiOperation({ summary: 'A document your company uploaded (others see documents through the deal they are attached to)' })
  async download(@Param('sha256', sha256Param) sha256: string, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const ref = await this.documents.uploadedBy(sha256, p.companyId);
    if (!ref) throw DocumentErrors.notFound(sha256);
    await this.documents.send(res, ref);
  }
}
