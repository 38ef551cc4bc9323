import pino from "pino";

export type Logger = pino.Logger;

/**
 * JSON logs on stdout. Fields that may carry credentials are redacted as a second line of defence;
 * the first is never logging them at all.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "portico" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers.authorization",
          "headers.cookie",
          "password",
          "*.password",
          "token",
          "*.token",
          "access_token",
          "refresh_token",
          "code",
          "code_verifier",
          "client_secret",
          "secret",
          "*.secret",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
