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
  it('redacts the values of signed-URL and bearer-token keys, as whole keys, case-sensitive', () => {
    expect(
      urlQuery(
        '/a?AWSAccessKeyId=AKIA&Signature=s1&sig=s2&X-Goog-Signature=s3&access_token=t&q=1',
        1024,
      ),
    ).toBe(
      'AWSAccessKeyId=REDACTED&Signature=REDACTED&sig=REDACTED&X-Goog-Signature=REDACTED' +
        '&access_token=REDACTED&q=1',
    );
    expect(urlQuery('/a?mysig=1&sig2=2&signature=3&SIG=4&sig', 1024)).toBe(
      'mysig=1&sig2=2&signature=3&SIG=4&sig',
    );
  });

  it('is cut to the limit after the redaction: no cut keeps a secret, none is longer', () => {
    expect(urlQuery(`/a?sig=${'s'.repeat(5000)}&q=1`, 12)).toBe('sig=REDACTED');
    expect(urlQuery(`/a?q=1&sig=${'s'.repeat(5000)}`, 10)).toBe('q=1&sig=RE');
  });
});
