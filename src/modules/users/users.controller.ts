import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { IdParam } from '../../common/http/id-param';
import { Access } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { AuditRead } from '../audit/audit-read.interceptor';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Access({ roles: [Role.Admin, Role.AgencyManager] })
  @ApiOperation({ operationId: 'createUser', summary: 'Create a staff account (agency managers: advisors of their agency).' })
  @ApiConflictResponse({ description: 'EMAIL_TAKEN' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_ATTACHMENT: the agency or provider does not fit the role.' })
  @ApiCreatedResponse({ type: UserDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(actor, body);
  }

  @Get()
  @Access({ roles: [Role.Admin, Role.AgencyManager] })
  @ApiOperation({ operationId: 'listUsers', summary: 'Staff accounts by last name (agency managers: their advisors).' })
  @ApiPageResponse(UserDto)
  list(@CurrentActor() actor: Actor, @Query() query: ListUsersQueryDto): Promise<Page<UserDto>> {
    return this.users.list(actor.principal, query);
  }

  @Get(':id')
  @Access({ roles: [Role.Admin, Role.AgencyManager] })
  @AuditRead('user')
  @ApiOperation({ operationId: 'getUser', summary: 'One staff account.' })
  @ApiOkResponse({ type: UserDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<UserDto> {
    return this.users.get(actor.principal, id);
  }

  @Patch(':id')
  @Access({ roles: [Role.Admin, Role.AgencyManager] })
  @ApiOperation({ operationId: 'updateUser', summary: 'Change an account; `active: false` deactivates it and ends its sessions.' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_ATTACHMENT: the agency or provider does not fit the role; LAST_ADMIN: the last active admin keeps the role and stays active.' })
  @ApiOkResponse({ type: UserDto })
  update(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(actor, id, body);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @Access({ roles: [Role.Admin, Role.AgencyManager] })
  @ApiOperation({ operationId: 'deactivateUser', summary: 'Deactivate an account and revoke its refresh tokens.' })
  @ApiUnprocessableEntityResponse({ description: 'LAST_ADMIN: the last active admin stays active.' })
  @ApiOkResponse({ type: UserDto })
  deactivate(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<UserDto> {
    return this.users.update(actor, id, { active: false });
  }
}
