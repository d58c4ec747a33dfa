/**
 * The Pulumi program (`Pulumi.yaml` runs this through package.json's `main`). Config is parsed
 * once; every stack output is exported here by name, for the workflows and the README.
 */
import { loadStackConfig } from "./config";
import { buildStack } from "./program";

const outputs = buildStack(loadStackConfig());

export const project = outputs.project;
export const isPreview = outputs.isPreview;
export const lakeBucket = outputs.lakeBucket;
export const functionSourceBucket = outputs.functionSourceBucket;
export const functionSourceObject = outputs.functionSourceObject;
export const datasets = outputs.datasets;
export const functionUrls = outputs.functionUrls;
export const ordersIncoming = outputs.ordersIncoming;
export const ordersIncomingSubscription = outputs.ordersIncomingSubscription;
export const workflows = outputs.workflows;
export const workflowRegion = outputs.workflowRegion;
export const worldStart = outputs.worldStart;
export const orchestratorServiceAccount = outputs.orchestratorServiceAccount;
export const scheduledQueryNames = outputs.scheduledQueryNames;
export const scheduledQueryOrder = outputs.scheduledQueryOrder;
export const lookerStudioUrls = outputs.lookerStudioUrls;
export const tableau = outputs.tableau;
