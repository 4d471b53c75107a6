/** An SQS queue as an event source mapping names it: `arn:<partition>:sqs:<region>:<account>:<name>`. */
export interface SqsQueueArn {
  arn: string;
  region: string;
  account: string;
  name: string;
}

const arnPattern =
  /^arn:(aws[a-z-]*):sqs:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):([A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo)$/;

export function parseSqsQueueArn(arn: string): SqsQueueArn {
  const match = arnPattern.exec(arn);
  if (!match) {
    throw new Error(
      `eventSourceARN ${JSON.stringify(arn)} is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)`,
    );
  }
  const [, , region = "", account = "", name = ""] = match;
  return { arn, region, account, name };
}
