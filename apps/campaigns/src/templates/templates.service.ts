import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@izinli/config';
import { APP_CONFIG } from '../config.token';
import { ApiError } from '../common/http/api-error';
import { TenancyService } from '../tenancy/tenancy.service';
import { TemplateEngine, TemplateProblem, TemplateRenderError } from './template-engine';
import { CreateTemplateDto, PreviewTemplateDto, TemplateDto, TemplatePreviewDto } from './templates.dto';
import { TemplateRow, TemplatesRepository } from './templates.repository';

export function toTemplateDto(t: TemplateRow): TemplateDto {
  return {
    id: t.id,
    brandCode: t.brandCode,
    name: t.name,
    subject: t.subject,
    html: t.html,
    text: t.text,
    layout: t.layout,
    createdAt: new Date(t.createdAt).toISOString(),
  };
}

/** TEMPLATE_INVALID, or TEMPLATE_TOO_DEEP / TEMPLATE_TOO_LARGE when the template compiles but expands too far. */
export function templateInvalid(problems: TemplateProblem[]): ApiError {
  const limit = problems.find((p) => p.code)?.code;
  return ApiError.unprocessable(
    limit ?? 'TEMPLATE_INVALID',
    `${limit ? 'The template expands beyond the rendering limits' : 'The template does not compile'}: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
    problems.map((p) => ({ field: p.field, message: p.message })),
  );
}

/** A render failure as the API answers it: TEMPLATE_RENDER_FAILED, or the rendering limit it crossed. */
export function templateRenderFailed(err: TemplateRenderError): ApiError {
  return ApiError.unprocessable(
    err.code,
    err.code === 'TEMPLATE_RENDER_FAILED'
      ? `The template failed on this data: ${err.message}`
      : `The template expands beyond the rendering limits on this data: ${err.message}`,
    [{ field: err.field, message: err.message }],
  );
}

@Injectable()
export class TemplatesService {
  private readonly log = new Logger('Templates');

  constructor(
    private readonly tenancy: TenancyService,
    private readonly repo: TemplatesRepository,
    private readonly engine: TemplateEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(spId: string, brandCode: string, dto: CreateTemplateDto): Promise<TemplateDto> {
    const brand = await this.tenancy.requireOwnedBrand(spId, brandCode);
    const source = {
      subject: dto.subject,
      html: dto.html,
      text: dto.text ?? null,
      layout: dto.layout ?? 'none',
    } as const;
    const problems = this.engine.check(source);
    if (problems.length) throw templateInvalid(problems);
    const row = await this.repo.insert(brand.id, { name: dto.name, ...source });
    this.log.log({ brandId: brand.id, templateId: row.id }, 'template created');
    return toTemplateDto(row);
  }

  async get(spId: string, id: string): Promise<TemplateDto> {
    return toTemplateDto(await this.requireOwned(spId, id));
  }

  /** Renders as a commercial mail would go out, with a placeholder unsubscribe link (and footer, if needed). */
  async preview(spId: string, id: string, dto: PreviewTemplateDto): Promise<TemplatePreviewDto> {
    const t = await this.requireOwned(spId, id);
    const compiled = this.engine.compile(t);
    try {
      return compiled.render({
        data: dto.data ?? {},
        email: dto.email ?? 'ornek@example.com',
        brandName: t.brandName,
        unsubscribeUrl: `${this.config.publicUrl}/u/preview`,
      });
    } catch (err) {
      if (err instanceof TemplateRenderError) throw templateRenderFailed(err);
      throw err;
    }
  }

  async requireOwned(spId: string, id: string): Promise<TemplateRow> {
    const t = await this.repo.findOwned(spId, id);
    if (!t) throw ApiError.notFound('Template');
    return t;
  }
}
