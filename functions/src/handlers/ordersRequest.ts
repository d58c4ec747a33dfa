import { z } from "zod";
import { RequestError, fieldIssues } from "./httpErrors";

/** Where orders files are dropped in the lake; the bucket notifies `loadOrders` of new ones. */
export const INCOMING_PREFIX = "incoming/";

/** A mapping file beside its data file: `incoming/x.csv` is read with `incoming/x.mapping.json`. */
export const MAPPING_SUFFIX = ".mapping.json";

const LakePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith(INCOMING_PREFIX), `must be a path under ${INCOMING_PREFIX}`)
  .refine(
    (p) => !p.split("/").some((part) => part === "" || part === "." || part === ".."),
    "must be a plain path (no empty, . or .. parts)",
  );

/** A direct request: which file of the lake to load, and with which mapping. */
export const LoadOrdersBody = z
  .object({
    /** The orders file, a lake path under `incoming/`. */
    file: LakePath,
    /**
     * The mapping: a lake path under `incoming/`, or the mapping itself (docs/orders-loader.md).
     * Default: the file's name with its extension replaced by `.mapping.json`.
     */
    mapping: z.union([LakePath, z.record(z.string(), z.unknown())]).optional(),
  })
  .strict();

/**
 * A Pub/Sub push of a Cloud Storage notification (`OBJECT_FINALIZE` on the lake bucket, prefix
 * `incoming/`): the object is in the message's attributes
 * (https://cloud.google.com/storage/docs/pubsub-notifications#attributes). The envelope carries
 * more fields than these; only what is read is checked.
 */
export const PushEnvelope = z.object({
  message: z.object({
    attributes: z.object({
      bucketId: z.string().min(1),
      objectId: z.string().min(1),
      eventType: z.string().min(1),
    }),
  }),
  subscription: z.string().min(1),
});

/** What a `loadOrders` request asks for, once its shape is known. */
export type OrdersJob =
  | { readonly kind: "load"; readonly file: string; readonly mapping: string | object }
  | { readonly kind: "ignore"; readonly file: string; readonly reason: string };

/** The default mapping path of a data file: `incoming/x.csv` -> `incoming/x.mapping.json`. */
export function defaultMappingPath(file: string): string {
  const slash = file.lastIndexOf("/");
  const dot = file.lastIndexOf(".");
  return `${dot > slash ? file.slice(0, dot) : file}${MAPPING_SUFFIX}`;
}

/**
 * Reads a `loadOrders` body: a direct request (`file`, optional `mapping`) or a Pub/Sub push of
 * the lake bucket's notification. A pushed mapping file, or an event other than a new object,
 * is ignored (answered 200, nothing loaded): the upload of the data file is what starts a load.
 * A push from another bucket, or for an object outside `incoming/`, is bad input (400).
 */
export function resolveOrdersJob(body: unknown, lakeBucket: string | null): OrdersJob {
  const record = body as Record<string, unknown>;
  if (typeof record === "object" && record !== null && "message" in record) {
    const parsed = PushEnvelope.safeParse(body);
    if (!parsed.success) throw new RequestError(fieldIssues(parsed.error));
    const { bucketId, objectId, eventType } = parsed.data.message.attributes;
    if (lakeBucket !== null && bucketId !== lakeBucket) {
      throw new RequestError([
        { field: "message.attributes.bucketId", message: `is not the lake bucket ${lakeBucket}` },
      ]);
    }
    const file = LakePath.safeParse(objectId);
    if (!file.success) {
      throw new RequestError([
        { field: "message.attributes.objectId", message: file.error.issues[0]!.message },
      ]);
    }
    if (eventType !== "OBJECT_FINALIZE")
      return { kind: "ignore", file: objectId, reason: `event ${eventType} is not a new object` };
    if (objectId.endsWith(MAPPING_SUFFIX))
      return { kind: "ignore", file: objectId, reason: "a mapping is read with its data file" };
    return { kind: "load", file: objectId, mapping: defaultMappingPath(objectId) };
  }
  const parsed = LoadOrdersBody.safeParse(body);
  if (!parsed.success) throw new RequestError(fieldIssues(parsed.error));
  const { file, mapping } = parsed.data;
  if (file.endsWith(MAPPING_SUFFIX))
    throw new RequestError([{ field: "file", message: "is a mapping, not an orders file" }]);
  return { kind: "load", file, mapping: mapping ?? defaultMappingPath(file) };
}
