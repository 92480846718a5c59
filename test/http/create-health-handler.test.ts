import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createHealthHandler, type HealthParts } from "../../src/http/create-health-handler.js";

describe("createHealthHandler", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(parts: HealthParts): Promise<string> {
    const handle = createHealthHandler(undefined, parts);
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  }

  it("names every part it checked while all answer", async () => {
    const url = await serve({ store: async () => undefined, redis: async () => undefined });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", store: "ok", redis: "ok" });
  });

  it("answers 503 and names the part that is down, without its error", async () => {
    const url = await serve({
      store: async () => undefined,
      redis: async () => {
        throw new Error("connect ECONNREFUSED redis://:hunter2@cache:6379");
      },
    });
    const response = await fetch(url);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: "unavailable", store: "ok", redis: "down" });
    expect(text).not.toContain("hunter2");
  });

  it("counts a part that does not answer in time as down", async () => {
    const url = await serve({ store: () => new Promise(() => undefined) });
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "unavailable", store: "down" });
  });
});
