// The build's version: `--version`, the metrics' metaquorum_node_info. Kept equal to package.json's.
export const METAQUORUM_VERSION = '0.1.0';
