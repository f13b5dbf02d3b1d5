import {
  diag,
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import {
  addHrTimes,
  AddAttributeDecision,
  cleanAttributes,
  cleanSimpleAttributes,
  hrTimeDuration,
  isTimeInput,
  maybeAddAttribute,
  millisToHrTime,
} from '@opentelemetry/core';
import type { ReadableSpan, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { exceptionAttributes, givenTime, pushBounded } from './span.rules.js';

/** What every server span shares: where it reports and what it belongs to (telemetry.sdk.ts). */
export interface ServerSpanSite {
  readonly resource: ReadableSpan['resource'];
  readonly scope: ReadableSpan['instrumentationScope'];
  /** The provider's span processors, in its order (TraceClock first). */
  readonly processors: readonly SpanProcessor[];
  /** The provider's span limits, every one given (telemetry.sdk.ts). */
  readonly limits: Readonly<Required<SpanLimits>>;
}

/**
 * rampart's one SERVER span per sampled request, in place of the SDK's span: the same
 * `ReadableSpan` to the same processors and exporters (server.span.spec.ts encodes both, byte
 * for byte), and the same API to whoever holds it, without the SDK span's general-purpose work
 * that a server span with nine known attributes does not need: each of them validated for any
 * value shape, the tracer's span metrics, its sanitizing of links and attributes at start
 * (server-span.starter.bench.ts). What others set through the API follows the SDK's own rules
 * (`maybeAddAttribute`, span.rules.ts, the same limits). Its start is the SDK's: `Date.now()`, with the
 * duration measured on the monotonic clock, so TraceClock anchors its children as it anchors an
 * SDK parent's (the three `_`-fields are what TraceClock reads).
 */
export class ServerSpan implements Span, ReadableSpan {
  readonly _performanceStartTime: number;
  readonly _startTimeProvided = false;
  name: string;
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  duration: HrTime = [-1, -1];
  ended = false;
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  attributes: Attributes = {};
  readonly links: Link[] = [];
  readonly events: TimedEvent[] = [];
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributeCount = 0;
  /** Wall clock minus the monotonic one at start: a monotonic time given to end() is read so. */
  private readonly performanceOffset: number;

  constructor(
    private readonly site: ServerSpanSite,
    private readonly context: SpanContext,
    readonly kind: SpanKind,
    readonly parentSpanContext: SpanContext | undefined,
    name: string,
    parent: Context,
  ) {
    const now = Date.now();
    this._performanceStartTime = performance.now();
    this.performanceOffset = now - (this._performanceStartTime + performance.timeOrigin);
    this.startTime = millisToHrTime(now);
    this.name = name;
    for (const processor of site.processors) processor.onStart(this, parent);
  }

  get resource(): ReadableSpan['resource'] {
    return this.site.resource;
  }

  get instrumentationScope(): ReadableSpan['instrumentationScope'] {
    return this.site.scope;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /**
   * The request's own attributes, set once as the span starts: strings already cut to the value
   * length limit (client-text.ts) or short by construction, and integers (ports), fewer than
   * the count limit, none undefined (server-span.attributes.ts). A span with none yet (the
   * sampler added none) takes the object as its own: copied, each key was a lookup and a store
   * on an object whose keys vary, twice a request.
   */
  recordRequest(attributes: Attributes): void {
    if (this.attributeCount === 0) {
      this.attributes = attributes;
      this.attributeCount = Object.keys(attributes).length;
      return;
    }
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      if (this.attributes[key] === undefined) this.attributeCount++;
      this.attributes[key] = value;
    }
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.ended) return this;
    const decision = maybeAddAttribute({
      key,
      value,
      attributes: this.attributes,
      limits: this.site.limits,
      currentAttributesCount: this.attributeCount,
    });
    if (decision === AddAttributeDecision.ADD_NEW) this.attributeCount++;
    else if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) this.droppedAttributesCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]!);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const { eventCountLimit, attributePerEventCountLimit, attributeValueLengthLimit } =
      this.site.limits;
    const timed = isTimeInput(attributesOrTime);
    const at = timed && !isTimeInput(time) ? attributesOrTime : time;
    const event = {
      name,
      time: at === undefined ? this.now() : givenTime(at, this.performanceOffset),
      ...cleanSimpleAttributes(timed ? undefined : attributesOrTime, {
        attributeCountLimit: attributePerEventCountLimit,
        attributeValueLengthLimit,
      }),
    };
    if (pushBounded(this.events, event, eventCountLimit) !== 'kept') this.droppedEventsCount++;
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    const { linkCountLimit, attributePerLinkCountLimit, attributeValueLengthLimit } =
      this.site.limits;
    const clean = cleanAttributes(link.attributes, {
      attributeCountLimit: attributePerLinkCountLimit,
      attributeValueLengthLimit,
    });
    const kept = pushBounded(this.links, { context: link.context, ...clean }, linkCountLimit);
    if (kept !== 'kept') this.droppedLinksCount++;
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended || this.status.code === SpanStatusCode.OK) return this;
    if (status.code === SpanStatusCode.UNSET) return this;
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId}: ended twice`);
      return;
    }
    this.endTime = endTime === undefined ? this.now() : givenTime(endTime, this.performanceOffset);
    this.duration = hrTimeDuration(this.startTime, this.endTime);
    if (this.duration[0] < 0) {
      this.endTime = [this.startTime[0], this.startTime[1]];
      this.duration = [0, 0];
    }
    for (const processor of this.site.processors) processor.onEnding?.(this);
    this.ended = true;
    for (const processor of this.site.processors) processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes = exceptionAttributes(exception);
    if (attributes) this.addEvent('exception', attributes, time);
  }

  /** Now: the start plus the monotonic time since, as the SDK's span measures it. */
  private now(): HrTime {
    return addHrTimes(
      this.startTime,
      millisToHrTime(performance.now() - this._performanceStartTime),
    );
  }
}
