export * from './message-classifier';
export * from './signal-rules';
export { decodeHtmlEntities, foldForMatching, htmlToText } from './text-normalizer';
export { scanHtml } from './html-scanner';
export type { HtmlScanHandler, HtmlScanOptions, HtmlTag } from './html-scanner';
