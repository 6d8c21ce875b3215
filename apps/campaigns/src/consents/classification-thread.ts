import { parentPort } from 'worker_threads';
// The thread loads only the classifier, not the whole library behind its root (its Nest module, the database code):
// a lighter thread that starts sooner. The relative path survives compilation unchanged (dist/ mirrors the tree).
// eslint-disable-next-line no-restricted-imports -- the one place app code reaches into the library's sources: see above
import { classifyMessage, type ClassifyMessageInput } from '../../../../libs/consent/src/classification';

/** A thread of ClassificationThreads: classifies one message at a time with the library's own classifier. */
parentPort!.on('message', (task: { id: number; input: ClassifyMessageInput }) => {
  try {
    parentPort!.postMessage({ id: task.id, decision: classifyMessage(task.input) });
  } catch (err) {
    parentPort!.postMessage({ id: task.id, error: String((err as Error)?.message ?? err) });
  }
});
