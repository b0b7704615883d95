import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { MetricsService } from './metrics.service';
import { ProbeRoute } from '../api/route-kind';

@ApiTags('Metrics')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @ProbeRoute()

  @Get('metrics')
  @ApiOperation({ summary: "Prometheus text format 0.0.4 with vLLM's metric names, labels and buckets" })
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const body = await this.metrics.exposition();
    void reply.header('content-type', this.metrics.contentType).send(body);
  }
}
