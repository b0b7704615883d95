import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { PatternDto, PatternsDocumentDto } from '../responses/dto/patterns.dto';
import { PatternStore, PatternsSnapshot } from '../responses/pattern-store';
import { PatternsDocument } from '../responses/responses.types';
import { AdminAuthGuard } from './admin-auth.guard';
import { ApiAdminErrors } from './api-errors';
import { asAdmin } from './pattern-http-errors';
import { ControlRoute } from '../api/route-kind';

const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag from GET /admin/patterns; a stale one answers 412' };

/**
 * /admin/patterns: CRUD over the responses file. The PatternStore validates with the file's schema,
 * serialises writes and persists them atomically; this controller only speaks HTTP (ETag, status).
 */
@ApiTags('Admin')
@ApiBearerAuth()
@ApiAdminErrors([412, 'If-Match does not match the current ETag'])
@UseGuards(AdminAuthGuard)
@Controller('admin/patterns')
export class AdminPatternsController {
  constructor(private readonly store: PatternStore) {}

  @ControlRoute()

  @Get()
  @ApiOperation({ summary: 'The active patterns and fallback, as in the YAML file; ETag header' })
  @ApiOkResponse({ type: PatternsDocumentDto })
  get(@Res({ passthrough: true }) reply: FastifyReply): PatternsDocument {
    return withEtag(reply, this.store.get());
  }

  @ControlRoute()

  @Put()
  @ApiOperation({ summary: 'Replace every pattern (and the fallback)' })
  @ApiHeader(IF_MATCH)
  @ApiBody({ type: PatternsDocumentDto })
  @ApiOkResponse({ type: PatternsDocumentDto })
  async replaceAll(@Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<PatternsDocument> {
    return withEtag(reply, await asAdmin(() => this.store.replaceAll(body, ifMatch)));
  }

  @ControlRoute()

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add one pattern (409 if the name exists); answers the whole document' })
  @ApiHeader(IF_MATCH)
  @ApiBody({ type: PatternDto })
  @ApiAdminErrors([409, 'A pattern with this name exists'])
  async add(@Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<PatternsDocument> {
    return withEtag(reply, await asAdmin(() => this.store.add(body, ifMatch)));
  }

  @ControlRoute()

  @Put(':name')
  @ApiOperation({ summary: 'Create or replace one pattern (201 when created); fields the body leaves out are dropped (use PATCH to keep them)' })
  @ApiHeader(IF_MATCH)
  @ApiBody({ type: PatternDto })
  async upsert(
    @Param('name') name: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PatternsDocument> {
    const { created, ...snapshot } = await asAdmin(() => this.store.upsert(name, body, ifMatch));
    void reply.code(created ? 201 : 200);
    return withEtag(reply, snapshot);
  }

  @ControlRoute()

  @Patch(':name')
  @ApiOperation({ summary: 'Change some fields of one pattern (JSON merge patch: named fields replaced, match merged, null removes); 404 if absent' })
  @ApiHeader(IF_MATCH)
  @ApiAdminErrors([404, 'No pattern with this name'])
  async patch(@Param('name') name: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<PatternsDocument> {
    return withEtag(reply, await asAdmin(() => this.store.patch(name, body, ifMatch)));
  }

  @ControlRoute()

  @Delete(':name')
  @ApiOperation({ summary: 'Delete one pattern (404 if absent); answers the remaining document' })
  @ApiHeader(IF_MATCH)
  @ApiAdminErrors([404, 'No pattern with this name'])
  async remove(@Param('name') name: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<PatternsDocument> {
    return withEtag(reply, await asAdmin(() => this.store.remove(name, ifMatch)));
  }
}

function withEtag(reply: FastifyReply, snapshot: PatternsSnapshot): PatternsDocument {
  const { etag, ...doc } = snapshot;
  void reply.header('etag', etag);
  return doc;
}
