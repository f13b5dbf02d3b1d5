import { urlQuery } from './server-span.attributes.js';

describe('url.query', () => {
  it('is the raw query as sent, an empty one included; none without a ?', () => {
    expect(urlQuery('/a?x=1&y=%20', 1024)).toBe('x=1&y=%20');
    expect(urlQuery('http://h/a?x=1', 1024)).toBe('x=1');
    expect(urlQuery('/a?', 1024)).toBe('');
    expect(urlQuery('/a', 1024)).toBeUndefined();
  });

  it('ends at a fragment, and a ? inside the fragment is none', () => {
    expect(urlQuery('/a?x=1#f?y', 1024)).toBe('x=1');
    expect(urlQuery('/a#f?y=1', 1024)).toBeUndefined();
  });

  // HTTP semconv's url.query note, and RFC 6750 §2.3's access_token; the key stays.
  it('redacts the values of signed-URL and bearer-token keys, as whole keys, in any case', () => {
    expect(
      urlQuery(
        '/a?AWSAccessKeyId=AKIA&Signature=s1&sig=s2&X-Goog-Signature=s3&access_token=t&q=1',
        1024,
      ),
    ).toBe(
      'AWSAccessKeyId=REDACTED&Signature=REDACTED&sig=REDACTED&X-Goog-Signature=REDACTED' +
        '&access_token=REDACTED&q=1',
    );
    expect(urlQuery('/a?mysig=1&sig2=2&signature=3&SIG=4&sig&sig=', 1024)).toBe(
      'mysig=1&sig2=2&signature=REDACTED&SIG=REDACTED&sig&sig=',
    );
    expect(urlQuery('/a?x&y&sig=1=2&z&Sig=3', 1024)).toBe('x&y&sig=REDACTED&z&Sig=REDACTED');
  });

  // `?SIGNATURE=x` and `?%73ig=x` reached the trace backend whole: a service that reads keys in
  // any case, or decodes them first (every query parser does), takes them as the secret.
  it('reads a key percent-decoded, and redacts the value of one that does not decode', () => {
    expect(
      urlQuery('/a?%73ig=1&Access%5FToken=2&X-Goog%2DSIGNATURE=3&%zz=4&%E0%A4=5&%71=6', 1024),
    ).toBe(
      '%73ig=REDACTED&Access%5FToken=REDACTED&X-Goog%2DSIGNATURE=REDACTED&%zz=REDACTED' +
        '&%E0%A4=REDACTED&%71=6',
    );
  });

  it('is cut to the limit after the redaction: no cut keeps a secret, none is longer', () => {
    expect(urlQuery(`/a?sig=${'s'.repeat(5000)}&q=1`, 12)).toBe('sig=REDACTED');
    expect(urlQuery(`/a?q=1&sig=${'s'.repeat(5000)}`, 10)).toBe('q=1&sig=RE');
  });
});
