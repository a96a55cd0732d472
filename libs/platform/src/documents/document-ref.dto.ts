import { BadRequestException, PipeTransform } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { SHA256_PATTERN } from '@dealledger/domain';

/** A document named in a request: the hash an upload answered, and the name to attach it under. */
export class DocumentRefInput {
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', description: 'The sha256 that POST /documents answered' })
  @Matches(SHA256_PATTERN, { message: 'sha256 must be 64 lower-case hex digits, as POST /documents answers' })
  sha256: string;

  @ApiProperty({ example: 'Material certificate EN 10204 3.1.pdf' }) @IsString() @IsNotEmpty() @MaxLength(200) name: string;
}

/** A route's `:sha256`: 64 lower-case hex digits, else 400. */
export const sha256Param: PipeTransform<string, string> = {
  transform(value: string) {
    if (!SHA256_PATTERN.test(value)) throw new BadRequestException(['sha256 must be 64 lower-case hex digits']);
    return value;
  },
};
