import { Body, Controller, Get, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Access, Public } from '../../common/auth/access.decorator';
import { STAFF_ROLES } from '../../common/auth/roles';
import { Actor, CurrentActor, CurrentRequest, RequestMeta } from '../../common/context/actor';
import { AuthThrottlerGuard } from './auth-throttler.guard';
import { AuthService } from './auth.service';
import { parseBasicAuth } from './basic-auth';
import { ClientCredentialsDto, ClientTokenDto, LoginDto, MeDto, RefreshDto, TokenPairDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(AuthThrottlerGuard)
  @ApiOperation({
    operationId: 'login',
    summary: 'Staff login: an access token (15 min) and a refresh token (30 days).',
    description:
      'No bearer token: this is where one is obtained, with the e-mail and password in the body. Throttled per address and per account ' +
      '(`LOGIN_MAX_ATTEMPTS_PER_IP`, `LOGIN_MAX_ATTEMPTS_PER_ACCOUNT`, counters shared by every instance): 429 with `Retry-After`.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: 'INVALID_CREDENTIALS: unknown e-mail, wrong password or deactivated account.' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts from this address or for this account (see Retry-After).' })
  login(@Body() body: LoginDto, @CurrentRequest() meta: RequestMeta): Promise<TokenPairDto> {
    return this.auth.login(body.email, body.password, meta);
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @UseGuards(AuthThrottlerGuard)
  @ApiOperation({
    operationId: 'refreshTokens',
    summary: 'Exchange a refresh token for a new pair; the old one stops working.',
    description:
      'No bearer token: the refresh token in the body is the credential (its own secret and audience, single use, rotated). ' +
      'Throttled per address and per user like the login: 429 with `Retry-After`.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: 'INVALID_REFRESH_TOKEN: invalid, expired, already used (which revokes its family) or revoked.' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts (see Retry-After).' })
  refresh(@Body() body: RefreshDto, @CurrentRequest() meta: RequestMeta): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken, meta);
  }

  @Post('logout')
  @HttpCode(204)
  @Access({ roles: STAFF_ROLES })
  @ApiOperation({ operationId: 'logout', summary: 'End the session of this refresh token (its whole family).' })
  @ApiNoContentResponse()
  async logout(@CurrentActor() actor: Actor, @Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(actor.principal, body.refreshToken);
  }

  @Get('me')
  @Access({ roles: STAFF_ROLES })
  @ApiOperation({ operationId: 'getMe', summary: 'The signed-in staff user.' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentActor() actor: Actor): Promise<MeDto> {
    return this.auth.me(actor.principal);
  }

  @Post('token')
  @HttpCode(200)
  @Public()
  @UseGuards(AuthThrottlerGuard)
  @ApiOperation({
    operationId: 'issueClientToken',
    summary: 'OAuth2 client credentials grant (RFC 6749 §4.4), form or JSON, or HTTP Basic.',
    description:
      'No bearer token: the client authenticates with `client_id` and `client_secret` (body or HTTP Basic). ' +
      'Throttled per address and per client: 429 with `Retry-After`.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: ClientCredentialsDto })
  @ApiOkResponse({ type: ClientTokenDto })
  @ApiUnauthorizedResponse({ description: 'INVALID_CLIENT (`error: invalid_client`).' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts for this client or address (see Retry-After).' })
  token(@Body() body: ClientCredentialsDto, @Headers('authorization') authorization: string | undefined, @CurrentRequest() meta: RequestMeta): Promise<ClientTokenDto> {
    return this.auth.clientCredentials(body, parseBasicAuth(authorization), meta);
  }
}
