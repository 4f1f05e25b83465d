import { randomBytes } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Datastore } from "./types.ts";

/** A datastore in a folder (`.flowc/` by default). Keys map to paths one to one. */
export class LocalDatastore implements Datastore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  localPath(key: string): string {
    return join(this.root, ...key.split("/"));
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.localPath(key));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  readSync(key: string): Buffer | undefined {
    try {
      return readFileSync(this.localPath(key));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async write(key: string, data: string | Uint8Array): Promise<void> {
    const path = this.localPath(key);
    // Write a sibling, then rename: rename(2) is atomic, so a reader (or a crash) never sees half a file.
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await writeFile(tmp, data);
    } catch (e) {
      if (!isMissing(e)) throw e;
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, data);
    }
    await rename(tmp, path);
  }

  async upload(key: string, file: string): Promise<void> {
    const path = this.localPath(key);
    if (resolve(file) === path) return;
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    copyFileSync(file, tmp);
    await rename(tmp, path);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.localPath(key));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.localPath(key), { force: true, recursive: true });
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.localPath(prefix);
    let entries;
    try {
      entries = await readdir(base, { recursive: true, withFileTypes: true });
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === "ENOTDIR") return [];
      throw e;
    }
    return entries
      .filter((d) => d.isFile() && !d.name.includes(".tmp-"))
      .map((d) => relative(this.root, join(d.parentPath ?? (d as unknown as { path: string }).path, d.name)).split(sep).join("/"));
  }

  async children(prefix: string): Promise<string[]> {
    try {
      return (await readdir(this.localPath(prefix))).filter((n) => !n.includes(".tmp-")).sort();
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === "ENOTDIR") return [];
      throw e;
    }
  }

  locate(key: string): string {
    const abs = this.localPath(key);
    const rel = relative(process.cwd(), abs);
    return rel && !rel.startsWith("..") ? rel : abs;
  }
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException)?.code === "ENOENT";
