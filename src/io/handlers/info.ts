/** tfjs's ModelArtifactsInfo, stored next to a model by the browser handlers. No Node imports. */
import type { ModelArtifacts } from '../types.js';

export interface ArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes: number;
  weightSpecsBytes: number;
  weightDataBytes: number;
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

export function artifactsInfo(a: ModelArtifacts): ArtifactsInfo {
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: utf8Length(JSON.stringify(a.modelTopology)),
    weightSpecsBytes: utf8Length(JSON.stringify(a.weightSpecs)),
    weightDataBytes: a.weightData.byteLength,
  };
}
