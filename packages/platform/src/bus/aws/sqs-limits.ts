/** SQS counts visibility timeouts and delays in whole seconds, up to 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;
/** SQS keeps a message at most 14 days; dead letters and queues use all of it. */
export const RETENTION_SECONDS = 1_209_600;
/** ReceiveMessage, SendMessageBatch, DeleteMessageBatch and PutEvents take at most 10 entries. */
export const BATCH_SIZE = 10;

/** Milliseconds as SQS seconds, rounded up so that a delay or timeout is never shorter than asked. */
export function sqsSeconds(ms: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(ms / 1000)));
}

/** An SDK error's name (`QueueDoesNotExist`, `ResourceNotFoundException`, ...). */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export function isMissingQueue(error: unknown): boolean {
  const name = awsErrorName(error);
  return (
    name === "QueueDoesNotExist" ||
    name === "AWS.SimpleQueueService.NonExistentQueue" ||
    (error as { Code?: string } | undefined)?.Code === "AWS.SimpleQueueService.NonExistentQueue"
  );
}

/** Splits items into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
