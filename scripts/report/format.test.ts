import {
  escapeHtml,
  formatDecimal,
  formatInteger,
  formatMoney,
  formatPercent,
  MISSING,
  parseFormatted,
  toNumber,
  toText,
} from "./format";

describe("escapeHtml", () => {
  it("escapes the five characters that can open markup or end an attribute", () => {
    expect(escapeHtml(`<script>alert("x & 'y'")</script>`)).toBe(
      "&lt;script&gt;alert(&quot;x &amp; &#39;y&#39;&quot;)&lt;/script&gt;",
    );
  });

  it("shows null and undefined as empty text", () => {
    expect(escapeHtml(null)).toBe("");
    expect(escapeHtml(undefined)).toBe("");
  });
});

describe("number formats", () => {
  it("shows a fraction as a percentage with one decimal", () => {
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(1)).toBe("100.0%");
    expect(formatPercent(0.5, 0)).toBe("50%");
  });

  it("shows money with two decimals and thousands separators", () => {
    expect(formatMoney(1234.5)).toBe("1,234.50");
    expect(formatMoney(0.005)).toBe("0.01");
    expect(formatMoney("684324.5900000003")).toBe("684,324.59");
  });

  it("rounds counts and groups their thousands", () => {
    expect(formatInteger(30000)).toBe("30,000");
    expect(formatInteger(2.6)).toBe("3");
    expect(formatDecimal(0.87104, 3)).toBe("0.871");
  });

  it("shows the missing mark for null, undefined and non-numbers", () => {
    for (const value of [null, undefined, "", "abc", Number.NaN])
      expect(formatPercent(value)).toBe(MISSING);
    expect(formatMoney(null)).toBe(MISSING);
  });
});

describe("reading mart values", () => {
  it("accepts numbers, numeric strings, bigints and BigQuery { value } wrappers", () => {
    expect(toNumber(1.5)).toBe(1.5);
    expect(toNumber("42")).toBe(42);
    expect(toNumber(7n)).toBe(7);
    expect(toNumber({ value: "3.25" })).toBe(3.25);
    expect(toNumber(Number.POSITIVE_INFINITY)).toBeNull();
    expect(toText({ value: "2025-12-31" })).toBe("2025-12-31");
  });

  it("parses back what the formatters wrote", () => {
    expect(parseFormatted(formatPercent(0.1234))).toBeCloseTo(0.123, 10);
    expect(parseFormatted(formatMoney(1234.567))).toBe(1234.57);
    expect(parseFormatted(formatPercent(-0.25))).toBe(-0.25);
    expect(parseFormatted(MISSING)).toBeNull();
    expect(() => parseFormatted("12 apples")).toThrow(/not a formatted number/);
  });
});
