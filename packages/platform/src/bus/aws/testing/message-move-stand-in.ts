import { randomUUID } from "node:crypto";
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type ListMessageMoveTasksResultEntry,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * SQS's message move task (StartMessageMoveTask, ListMessageMoveTasks), which moto's server does
 * not implement, done on the emulator by this client: receive, send to the destination as a new
 * message (attributes kept, receive count fresh, as SQS documents), delete. The task runs in the
 * background and ListMessageMoveTasks reports it RUNNING, then COMPLETED, as SQS does.
 */
export function addMessageMoveStandIn(sqs: SQSClient): void {
  const tasks = new Map<string, ListMessageMoveTasksResultEntry[]>();
  const urlOf = async (arn: string | undefined) =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName: arn?.split(":")[5] }))).QueueUrl;

  async function run(
    task: ListMessageMoveTasksResultEntry,
    source: string | undefined,
    destination: string | undefined,
  ) {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: source,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 30,
          MessageSystemAttributeNames: ["MessageGroupId"],
          MessageAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const group = message.Attributes?.MessageGroupId;
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: destination,
            MessageBody: message.Body,
            MessageAttributes: message.MessageAttributes as Record<string, MessageAttributeValue> | undefined,
            ...(group ? { MessageGroupId: group, MessageDeduplicationId: randomUUID() } : {}),
          }),
        );
        await sqs.send(new DeleteMessageCommand({ QueueUrl: source, ReceiptHandle: message.ReceiptHandle }));
        task.ApproximateNumberOfMessagesMoved = (task.ApproximateNumberOfMessagesMoved ?? 0) + 1;
      }
    }
    task.Status = "COMPLETED";
    delete task.TaskHandle;
  }

  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { SourceArn?: string; DestinationArn?: string };
      if (context.commandName === "StartMessageMoveTaskCommand") {
        const task: ListMessageMoveTasksResultEntry = {
          TaskHandle: randomUUID(),
          Status: "RUNNING",
          SourceArn: input.SourceArn,
          DestinationArn: input.DestinationArn,
          ApproximateNumberOfMessagesMoved: 0,
          StartedTimestamp: Date.now(),
        };
        tasks.set(input.SourceArn ?? "", [task, ...(tasks.get(input.SourceArn ?? "") ?? [])]);
        const [source, destination] = await Promise.all([
          urlOf(input.SourceArn),
          urlOf(input.DestinationArn),
        ]);
        run(task, source, destination).catch((error: unknown) => {
          task.Status = "FAILED";
          task.FailureReason = String(error);
        });
        return { output: { TaskHandle: task.TaskHandle, $metadata: {} }, response: {} } as never;
      }
      if (context.commandName === "ListMessageMoveTasksCommand") {
        const results = (tasks.get(input.SourceArn ?? "") ?? []).map((task) => ({ ...task }));
        return { output: { Results: results, $metadata: {} }, response: {} } as never;
      }
      return next(args);
    },
    { step: "initialize", name: "messageMoveStandIn" },
  );
}
