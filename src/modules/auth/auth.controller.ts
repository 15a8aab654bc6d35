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
  @ApiOperation({ operationId: 'login', summary: 'Staff login: an access token (15 min) and a refresh token (30 days).' })
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
  @ApiOperation({ operationId: 'refreshTokens', summary: 'Exchange a refresh token for a new pair; the old one stops working.' })
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
  @ApiOperation({ operationId: 'issueClientToken', summary: 'OAuth2 client credentials grant (RFC 6749 §4.4), form or JSON, or HTTP Basic.' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: ClientCredentialsDto })
  @ApiOkResponse({ type: ClientTokenDto })
  @ApiUnauthorizedResponse({ description: 'INVALID_CLIENT (`error: invalid_client`).' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts for this client or address (see Retry-After).' })
  token(@Body() body: ClientCredentialsDto, @Headers('authorization') authorization: string | undefined, @CurrentRequest() meta: RequestMeta): Promise<ClientTokenDto> {
    return this.auth.clientCredentials(body, parseBasicAuth(authorization), meta);
  }
}
