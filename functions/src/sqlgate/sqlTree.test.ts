import { formatIssue, runGate } from "./gate";
import { AnalyzerServer, startAnalyzer, stopAnalyzer } from "./server";
import { contractCheckSources, fileSources } from "./sqlSources";

let server: AnalyzerServer;
beforeAll(async () => {
  server = await startAnalyzer();
});
afterAll(() => stopAnalyzer());

describe("the project's SQL", () => {
  it("passes the GoogleSQL analyzer and the banned-construct list, file by file", async () => {
    const sources = [...fileSources(), ...contractCheckSources()];
    expect(sources.length).toBeGreaterThan(0);
    const results = await runGate(server, sources);
    const errors = results.flatMap((r) => r.issues.map((i) => formatIssue(r.path, i)));
    expect(errors).toEqual([]);
  });
});
