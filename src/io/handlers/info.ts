/** tfjs's ModelArtifactsInfo, stored next to a model by the browser handlers. No Node imports. */
import type { ArtifactsInfo, ModelArtifacts } from '../../artifacts.js';

export type { ArtifactsInfo };

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
