// OTLP/JSON bodies (`Content-Type: application/json` on `POST /v1/metrics`) into the generated
// ExportMetricsServiceRequest. OTLP/JSON is the proto3 JSON mapping with one twist that a generic
// proto3 JSON reader gets wrong: trace and span ids are hex, not base64 (OTLP specification,
// "JSON Protobuf Encoding"). Everything else — lowerCamelCase names, int64 as strings or numbers,
// enums as integers, unknown fields ignored — is what @bufbuild/protobuf's fromJson reads.
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import {
  ExportMetricsServiceRequestSchema,
  type ExportMetricsServiceRequest,
} from '../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.js';
import { IngestDecodeError } from './decode-errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The metric kinds whose data points may carry exemplars, in both spellings proto3 JSON accepts. */
const KINDS_WITH_EXEMPLARS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'exponential_histogram'];
const ID_FIELDS = ['traceId', 'trace_id', 'spanId', 'span_id'];
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Parses an OTLP/JSON metrics export request.
 * @throws IngestDecodeError when the body is not UTF-8 JSON or not an ExportMetricsServiceRequest.
 */
export function parseOtlpJson(body: Uint8Array): ExportMetricsServiceRequest {
  let json: JsonValue;
  try {
    json = JSON.parse(utf8.decode(body)) as JsonValue;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new IngestDecodeError(`the body is not valid UTF-8 JSON: ${reason}`, { cause: error });
  }
  hexIdsToBase64(json);
  try {
    return fromJson(ExportMetricsServiceRequestSchema, json, { ignoreUnknownFields: true });
  } catch (error) {
    // fromJson names the field at fault ("cannot decode field … from JSON: …"); a RangeError here means
    // nesting too deep to follow.
    const reason = error instanceof Error ? error.message : String(error);
    throw new IngestDecodeError(`not an OTLP ExportMetricsServiceRequest: ${reason}`, { cause: error });
  }
}

/**
 * Rewrites the hex trace and span ids of exemplars to the base64 proto3 JSON expects, in place. A value
 * that is not hex is left for fromJson to judge.
 */
function hexIdsToBase64(request: JsonValue): void {
  for (const resourceMetrics of list(field(request, 'resourceMetrics', 'resource_metrics'))) {
    for (const scopeMetrics of list(field(resourceMetrics, 'scopeMetrics', 'scope_metrics'))) {
      for (const metric of list(field(scopeMetrics, 'metrics'))) {
        for (const kind of KINDS_WITH_EXEMPLARS) {
          for (const point of list(field(field(metric, kind), 'dataPoints', 'data_points'))) {
            for (const exemplar of list(field(point, 'exemplars'))) {
              if (!isObject(exemplar)) continue;
              for (const name of ID_FIELDS) {
                const id = exemplar[name];
                if (typeof id === 'string' && HEX.test(id)) {
                  exemplar[name] = Buffer.from(id, 'hex').toString('base64');
                }
              }
            }
          }
        }
      }
    }
  }
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: JsonValue | undefined, ...names: string[]): JsonValue | undefined {
  if (!isObject(value)) return undefined;
  for (const name of names) {
    if (Object.hasOwn(value, name)) return value[name];
  }
  return undefined;
}

function list(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}
