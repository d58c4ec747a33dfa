/**
 * Links and connection fields for the BI tools, so an analyst goes from `pulumi stack output` to
 * a live report without looking up ids.
 */

export interface BigQueryTableRef {
  project: string;
  dataset: string;
  table: string;
}

/**
 * A Looker Studio Linking API URL that opens a report on one BigQuery table
 * (https://developers.google.com/looker-studio/integrate/linking-api). With the mart's own template
 * (`lookerStudioTemplates.<mart>`: a report built on that mart, its data source aliased `ds0`),
 * the copy's charts find the fields they were built with; one template for every mart would not,
 * since the marts' schemas differ. Without one, Looker Studio's default report opens on the table
 * with all of its fields, to add charts to.
 */
export function lookerStudioUrl(ref: BigQueryTableRef, templateReportId?: string): string {
  const params = new URLSearchParams();
  if (templateReportId) params.set("c.reportId", templateReportId);
  params.set("r.reportName", ref.table);
  params.set("ds.ds0.connector", "bigQuery");
  params.set("ds.ds0.type", "TABLE");
  params.set("ds.ds0.projectId", ref.project);
  params.set("ds.ds0.datasetId", ref.dataset);
  params.set("ds.ds0.tableId", ref.table);
  return `https://lookerstudio.google.com/reporting/create?${params.toString()}`;
}

/** What Tableau's Google BigQuery connector asks for, in its order. */
export interface TableauConnection {
  connector: "Google BigQuery";
  authentication: "Sign in with Google (OAuth)";
  billingProject: string;
  project: string;
  datasets: { marts: string; snapshots: string };
  tables: string[];
}

export function tableauConnection(
  project: string,
  datasets: { marts: string; snapshots: string },
  tables: readonly string[],
): TableauConnection {
  return {
    connector: "Google BigQuery",
    authentication: "Sign in with Google (OAuth)",
    billingProject: project,
    project,
    datasets,
    tables: [...tables],
  };
}
