export * from './message-classifier';
export * from './signal-rules';
export { decodeHtmlEntities, foldForMatching, htmlToText } from './text-normalizer';
