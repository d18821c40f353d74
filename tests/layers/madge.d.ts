/** The part of madge's API (8.x, which ships no types) that the layer check uses. */
declare module 'madge' {
  interface MadgeConfig {
    baseDir?: string;
    fileExtensions?: string[];
    tsConfig?: string;
    includeNpm?: boolean;
    excludeRegExp?: RegExp[];
    detectiveOptions?: { ts?: { skipTypeImports?: boolean; skipAsyncImports?: boolean } };
  }
  interface MadgeResult {
    /** Each file (relative to baseDir) and the files it imports. */
    obj(): Record<string, string[]>;
    /** The import cycles, each as the files round it. */
    circular(): string[][];
    /** What it could not resolve. */
    warnings(): { skipped: string[] };
  }
  function madge(paths: string | string[], config?: MadgeConfig): Promise<MadgeResult>;
  export = madge;
}
