// Types of api-types.mjs, for the test that imports it.
export const documentPath: string;
export const outputPath: string;
export function generate(): Promise<string>;
