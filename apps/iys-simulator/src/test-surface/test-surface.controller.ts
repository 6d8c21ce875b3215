import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Patch,
  Post,
  Query,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { KnobsValidationError, type SimulatorKnobs } from '../core/simulator-knobs';
import { FaultValidationError, type FaultView } from '../faults/fault-injector';
import type { RequestLogEntry } from '../http/request-log';
import { type PushDelivery, SimulatorState, StateConflictError } from '../state/simulator-state';
import { CitizenMovementDto, CreateIntegratorDto, CreateServiceProviderDto } from './test-surface.dto';
import { TestSurfaceService } from './test-surface.service';

function conflictOr<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof StateConflictError) throw new ConflictException(error.message);
    throw error;
  }
}

/** The simulator's own test surface (design.md): everything under /_sim/, nothing İYS has. */
@Controller('_sim')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class TestSurfaceController {
  constructor(
    @Inject(SimulatorState) private readonly state: SimulatorState,
    @Inject(TestSurfaceService) private readonly surface: TestSurfaceService,
  ) {}

  @Post('reset')
  @HttpCode(200)
  reset(): { reset: true } {
    this.state.reset();
    return { reset: true };
  }

  @Post('service-providers')
  addServiceProvider(@Body() dto: CreateServiceProviderDto): Record<string, unknown> {
    const sp = conflictOr(() =>
      this.state.addServiceProvider({
        iysCode: dto.iysCode,
        title: dto.title,
        brands: dto.brands ?? [],
        users: dto.users ?? [],
        ...(dto.subscription !== undefined ? { subscription: dto.subscription } : {}),
      }),
    );
    return {
      iysCode: sp.iysCode,
      title: sp.title,
      brands: [...sp.brands.values()].map((b) => ({ brandCode: b.brandCode, name: b.name, master: b.master })),
      subscription: sp.subscription,
    };
  }

  @Post('integrators')
  addIntegrator(@Body() dto: CreateIntegratorDto): Record<string, unknown> {
    const integrator = conflictOr(() =>
      this.state.addIntegrator({
        integratorCode: dto.integratorCode,
        title: dto.title,
        users: dto.users ?? [],
        authorisations: dto.authorisations ?? [],
        ...(dto.subscription !== undefined ? { subscription: dto.subscription } : {}),
      }),
    );
    return {
      integratorCode: integrator.integratorCode,
      title: integrator.title,
      authorisations: [...integrator.authorisations.values()].map((a) => ({ ...a, types: [...a.types] })),
    };
  }

  @Post('movements')
  injectMovement(@Body() dto: CitizenMovementDto): Record<string, unknown> {
    return this.surface.injectMovement(dto);
  }

  @Get('consents')
  consents(
    @Query('iysCode') iysCode?: string,
    @Query('brandCode') brandCode?: string,
  ): { list: Record<string, unknown>[] } {
    return this.surface.consents(iysCode, brandCode);
  }

  @Get('config')
  config(): SimulatorKnobs {
    return this.state.knobs;
  }

  @Patch('config')
  patchConfig(@Body() patch: unknown): SimulatorKnobs {
    try {
      return this.state.patchKnobs(patch);
    } catch (error) {
      if (error instanceof KnobsValidationError) throw new BadRequestException(error.problems);
      throw error;
    }
  }

  @Get('faults')
  faults(): FaultView {
    return this.state.faults.view();
  }

  @Post('faults')
  @HttpCode(200)
  setFaults(@Body() settings: unknown): FaultView {
    try {
      this.state.faults.set(settings);
    } catch (error) {
      if (error instanceof FaultValidationError) throw new BadRequestException(error.problems);
      throw error;
    }
    return this.state.faults.view();
  }

  @Delete('faults')
  clearFaults(): FaultView {
    this.state.faults.clear();
    return this.state.faults.view();
  }

  @Get('requests')
  requests(): { list: RequestLogEntry[] } {
    return { list: this.state.requestLog.list() };
  }

  @Delete('requests')
  clearRequests(): { list: RequestLogEntry[] } {
    this.state.requestLog.clear();
    return { list: [] };
  }

  /** Outbound push attempts (İYS → registered URLs), newest last. */
  @Get('pushes')
  pushes(): { list: PushDelivery[] } {
    return { list: [...this.state.pushDeliveries] };
  }
}
