import type { FileSystem } from '../engine/ports';
/** Writes through a temp file in the same folder, fsync, rename: readers never see half a file. */
export declare function writeFileAtomicSync(path: string, data: Uint8Array | string): void;
export declare const nodeFileSystem: FileSystem;
