/**
 * Registers leads through the service's HTTP API over real sockets, with a fixed number of requests in
 * flight, as a backend with a connection pool would.
 */
export async function registerOverHttp(options: {
  httpUrl: string;
  emails: string[];
  concurrency: number;
  lastname: string;
}): Promise<void> {
  let next = 0;
  const sender = async () => {
    for (let i = next++; i < options.emails.length; i = next++) {
      const response = await fetch(`${options.httpUrl}/v1/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: options.emails[i],
          properties: { firstname: `Bench ${i}`, lastname: options.lastname },
        }),
      });
      const text = await response.text();
      if (response.status !== 202) throw new Error(`POST /v1/leads answered ${response.status}: ${text}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.emails.length) }, sender));
}

/** Addresses unique to one scenario of one run: lead workflow ids are namespace-wide and the dev server is shared. */
export function benchEmails(scenario: string, runId: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `bench-${scenario}-${runId}-${from + i}@example.com`);
}
