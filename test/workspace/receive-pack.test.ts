/**
 * The push protocol's messages (pkt-lines, the ref advertisement, the
 * request, the report) and a repository's refs read from its files, checked
 * against what git itself writes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRefs } from "../../src/workspace/read-refs.js";
import { parseAdvertisement, parseReport, pktLine, readPktLines, receivePackRequest, ReceivePackError, zeroId } from "../../src/workspace/receive-pack.js";
import { git, makeRepo, removeDir, type FixtureRepo } from "./git-fixture.js";

const A = "a".repeat(40);
const B = "b".repeat(40);

function advertisement(...lines: string[]): Buffer {
  return Buffer.concat([pktLine("# service=git-receive-pack\n"), Buffer.from("0000"), ...lines.map((line) => pktLine(line)), Buffer.from("0000")]);
}

describe("pkt-lines", () => {
  it("frames a payload with its length, the four digits included, and reads it back up to the flush", () => {
    expect(pktLine("a\n").toString()).toBe("0006a\n");
    const data = Buffer.concat([pktLine("one\n"), pktLine("two\n"), Buffer.from("0000"), pktLine("after\n")]);
    const read = readPktLines(data);
    expect(read.lines.map(String)).toEqual(["one\n", "two\n"]);
    expect(read.flushed).toBe(true);
    expect(readPktLines(data, read.end).lines.map(String)).toEqual(["after\n"]);
  });

  it("refuses what is not pkt-lines, or is cut short", () => {
    expect(() => readPktLines(Buffer.from("<html>"))).toThrow(ReceivePackError);
    expect(() => readPktLines(Buffer.from("0010short"))).toThrow(/cut short/);
    expect(() => readPktLines(Buffer.from("00"))).toThrow(/inside a pkt-line header/);
    expect(() => pktLine("x".repeat(70_000))).toThrow(/longer than the protocol allows/);
  });
});

describe("the remote's refs", () => {
  it("reads refs and the capabilities on the first line", () => {
    const parsed = parseAdvertisement(advertisement(`${A} refs/heads/main\0report-status delete-refs ofs-delta agent=git/2.39\n`, `${B} refs/heads/dynflow/r1\n`));
    expect(parsed.refs).toEqual(new Map([["refs/heads/main", A], ["refs/heads/dynflow/r1", B]]));
    expect([...parsed.capabilities]).toEqual(["report-status", "delete-refs", "ofs-delta", "agent=git/2.39"]);
    expect(parsed.hexLength).toBe(40);
  });

  it("reads an empty repository's capabilities, and the length of a SHA-256 id", () => {
    const empty = parseAdvertisement(advertisement(`${zeroId(64)} capabilities^{}\0report-status object-format=sha256\n`));
    expect(empty.refs.size).toBe(0);
    expect(empty.capabilities.has("report-status")).toBe(true);
    expect(empty.hexLength).toBe(64);
  });

  it("refuses an answer that is not git's smart HTTP for receive-pack", () => {
    expect(() => parseAdvertisement(Buffer.concat([pktLine("# service=git-upload-pack\n"), Buffer.from("0000")]))).toThrow(/smart HTTP git server/);
    expect(() => parseAdvertisement(advertisement(`${A} refs/heads/main\n`))).toThrow(/no capabilities/);
    expect(() => parseAdvertisement(advertisement(`${A} refs/heads/main\0report-status\n`, "nonsense\n"))).toThrow(/malformed ref line/);
    expect(() => parseAdvertisement(advertisement())).toThrow(/no capabilities/);
  });
});

describe("the push request and the remote's report", () => {
  it("carries the capabilities on the first command only, then a flush, then the pack", () => {
    const body = receivePackRequest(
      [
        { ref: "refs/heads/a", old: zeroId(40), next: A },
        { ref: "refs/heads/b", old: B, next: zeroId(40) },
      ],
      ["report-status", "delete-refs"],
      Buffer.from("PACK..."),
    );
    const read = readPktLines(body);
    expect(read.lines.map(String)).toEqual([`${zeroId(40)} ${A} refs/heads/a\0report-status delete-refs\n`, `${B} ${zeroId(40)} refs/heads/b\n`]);
    expect(body.subarray(read.end).toString()).toBe("PACK...");
  });

  it("reads each ref's outcome, and the remote's reason for a refusal", () => {
    const report = parseReport(Buffer.concat([pktLine("unpack ok\n"), pktLine("ok refs/heads/a\n"), pktLine("ng refs/heads/b pre-receive hook declined\n"), Buffer.from("0000")]));
    expect(report.unpack).toBe("ok");
    expect(report.refs).toEqual(new Map([["refs/heads/a", null], ["refs/heads/b", "pre-receive hook declined"]]));
    expect(parseReport(Buffer.concat([pktLine("unpack index-pack abnormal exit\n"), Buffer.from("0000")])).unpack).toBe("index-pack abnormal exit");
  });

  it("refuses a report without its unpack line or with a line it cannot read", () => {
    expect(() => parseReport(Buffer.concat([pktLine("ok refs/heads/a\n"), Buffer.from("0000")]))).toThrow(/no report/);
    expect(() => parseReport(Buffer.concat([pktLine("unpack ok\n"), pktLine("maybe refs/heads/a\n"), Buffer.from("0000")]))).toThrow(/cannot read/);
  });
});

describe("a repository's refs, from its files", () => {
  let repo: FixtureRepo;

  beforeAll(async () => {
    repo = await makeRepo({ "a.txt": "a\n" });
  });

  afterAll(async () => {
    await removeDir(repo.dir);
  });

  it("agrees with git's for-each-ref: packed refs, loose ones over them, and symbolic ones resolved", async () => {
    const gitDir = join(repo.dir, ".git");
    await git(repo.dir, "commit", "-q", "--allow-empty", "-m", "second");
    const second = await git(repo.dir, "rev-parse", "HEAD");
    await git(repo.dir, "tag", "-a", "-m", "tagged", "v1", repo.head);
    await git(repo.dir, "update-ref", "refs/heads/dynflow/r1-work/a", repo.head);
    await git(repo.dir, "pack-refs", "--all");
    // Loose after packing: one new, one moved away from its packed value.
    await git(repo.dir, "update-ref", "refs/heads/dynflow/r1-work/a", second);
    await git(repo.dir, "update-ref", "refs/heads/dynflow/r1", second);
    await git(repo.dir, "symbolic-ref", "refs/heads/alias", "refs/heads/dynflow/r1");
    await mkdir(join(gitDir, "refs", "heads", "busy"), { recursive: true });
    await writeFile(join(gitDir, "refs", "heads", "busy", "x.lock"), `${second}\n`);

    const refs = readRefs(gitDir);
    const listed = (await git(repo.dir, "for-each-ref", "--format=%(refname) %(objectname)")).split("\n").map((line) => line.split(" ") as [string, string]);
    expect(refs).toEqual(new Map(listed));
    expect(refs?.get("refs/heads/alias")).toBe(second);
  });

  it("is null for refs kept in a reftable", async () => {
    const gitDir = join(repo.dir, ".git");
    await mkdir(join(gitDir, "reftable"));
    expect(readRefs(gitDir)).toBeNull();
  });
});
