import { ExtractJwt } from 'passport-jwt';

/** The token of an `Authorization: Bearer …` header, as passport-jwt reads it; null without one. */
export const bearerToken: (request: unknown) => string | null = ExtractJwt.fromAuthHeaderAsBearerToken() as (request: unknown) => string | null;
