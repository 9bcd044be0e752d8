import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export const SMTP_USER = 'alerts';
export const SMTP_PASSWORD = 'sm7p-P4ss/word!';

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that parses every message it receives with
 * mailparser. It requires the test credentials; `failNext(code)` makes the next message fail with
 * that SMTP reply (451: transient, 550: permanent).
 */
export class SmtpStandIn {
  readonly messages: ParsedMail[] = [];
  private failures: number[] = [];
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    const options: SMTPServerOptions = {
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData: (stream, _session, callback) => {
        const failure = this.failures.shift();
        simpleParser(stream).then(
          (mail) => {
            if (failure !== undefined) {
              callback(Object.assign(new Error(failure >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: failure }));
              return;
            }
            this.messages.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    };
    this.server = new SMTPServer(options);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** `smtp://user:password@127.0.0.1:port` with the password URL-encoded. */
  url(password = SMTP_PASSWORD): string {
    return `smtp://${SMTP_USER}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  failNext(...codes: number[]): void {
    this.failures.push(...codes);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
