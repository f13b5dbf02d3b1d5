import type { Attributes, Exception, HrTime, TimeInput } from '@opentelemetry/api';
import { hrTime, millisToHrTime } from '@opentelemetry/core';
import type { SpanLimits } from '@opentelemetry/sdk-trace';

/**
 * The SDK span's rules for what a caller hands a span (@opentelemetry/sdk-trace's Span), kept
 * beside ServerSpan so that it records what the SDK's span would (server.span.spec.ts compares
 * the two told the same things).
 */

/**
 * Appends `item` to a list bounded by `limit`, dropping the oldest when full, as the SDK keeps
 * events and links; with a limit of 0 nothing is kept. Says what happened, for the counts.
 */
export function pushBounded<T>(
  list: T[],
  item: T,
  limit: number,
): 'kept' | 'kept-one-dropped' | 'dropped' {
  if (limit === 0) return 'dropped';
  if (list.length < limit) {
    list.push(item);
    return 'kept';
  }
  list.shift();
  list.push(item);
  return 'kept-one-dropped';
}

/** An exception's event attributes (semantic conventions), or undefined when it says nothing. */
export function exceptionAttributes(exception: Exception): Attributes | undefined {
  const attributes: Attributes = {};
  if (typeof exception === 'string') attributes['exception.message'] = exception;
  else if (exception) {
    if (exception.code) attributes['exception.type'] = exception.code.toString();
    else if (exception.name) attributes['exception.type'] = exception.name;
    if (exception.message) attributes['exception.message'] = exception.message;
    if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
  }
  return attributes['exception.type'] || attributes['exception.message'] ? attributes : undefined;
}

/**
 * A time a caller gave: a number no later than the monotonic clock is a monotonic reading
 * (`performanceOffset` turns it into wall time, as the span's start was taken), a larger one
 * epoch milliseconds; a Date; or an HrTime as it is.
 */
export function givenTime(input: TimeInput, performanceOffset: number): HrTime {
  if (typeof input === 'number') {
    return input <= performance.now() ? hrTime(input + performanceOffset) : millisToHrTime(input);
  }
  if (input instanceof Date) return millisToHrTime(input.getTime());
  return input;
}

/**
 * The SDK's default span limits (its TracerProvider's), every one given, with the attribute value
 * length rampart configures (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT): the provider and the server
 * spans apply the same ones.
 */
export function spanLimits(attributeValueLengthLimit: number): Required<SpanLimits> {
  return {
    attributeCountLimit: 128,
    attributeValueLengthLimit,
    eventCountLimit: 128,
    linkCountLimit: 128,
    attributePerEventCountLimit: 128,
    attributePerLinkCountLimit: 128,
  };
}
