import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { adminKey, checkAdminKey, CurrentPrincipal, Principal, Public } from '@dealledger/auth';
import { invalid, prospectCompanyId, targetCompanyId, uuidV5 } from '@dealledger/domain';
import { CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import type { AccountTarget } from '@dealledger/events';
import { checkedCursor, CommandMeta, DATA_SOURCE, KnownCompanies, pageOf, PersonalDataVault, uuidParam, withNextLink } from '@dealledger/platform';
import type { AccountCommand } from './account/account.commands';
import { ExecuteAccountCommand } from './account/account.command-handler';
import { accountView, committeeView, loadAccount, ownAccount } from './account/account.stream';
import { Contacts } from './account/contacts';
import { effectiveCompanyId } from './account/account.decider';
import { ExecuteCampaignCommand, campaignStreamId } from './campaign/campaign.command-handler';
import { ExecuteOpportunityCommand } from './opportunity/opportunity.command-handler';
import type { OpportunityCommand } from './opportunity/opportunity.commands';
import { loadOpportunity, opportunityView } from './opportunity/opportunity.stream';
import { OpportunityErrors } from './opportunity/opportunity.errors';
import {
  CampaignRequest,
  CommitteeQuery,
  ListQuery,
  OpportunityListQuery,
  OpportunityRequest,
  PipelineQuery,
  StageRequest,
  StakeholderChangeRequest,
  StakeholderRequest,
  TargetAccountRequest,
  TeamMemberRequest,
  TouchRequest,
} from './accounts.requests.dto';
import {
  AccountListProjection,
  CampaignListProjection,
  OpportunityListProjection,
  sellerTouchesSql,
  TouchListProjection,
} from './projections/accounts.projections';
import { AccountErrors } from './account/account.errors';
import { pipelineReport } from './pipeline/pipeline';

/** How long a person just added in the directory may take to reach this app. */
const PERSON_WAIT_MS = 3000;

const notYourPerson = (personId: string) => invalid('accounts.not_your_person', `${personId} is not a person of your company in the directory`);

/**
 * One account per seller and target: its id derives from both, so a second one is a 409. A
 * prospect is keyed by the company id it will register under, so targeting it later as the
 * registered company finds the same account.
 */
function targetKey(t: AccountTarget): string {
  if (t.kind === 'industry') return `industry:${t.naceCode}`;
  return `company:${targetCompanyId(t)}`;
}

/**
 * Account-based selling, private to the seller: its target accounts, their teams and the buying
 * committees it maps, its touches and campaigns, its opportunities and pipeline. Every route
 * answers the caller's own company only; another company's account is a 404.
 */
@ApiTags('accounts')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried command with the same key has no second effect' })
@ApiNotFoundResponse({ description: 'No such account (opportunity, campaign) of your company (problem+json)' })
@Controller()
export class AccountsHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: PostgresEventStore,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly companies: KnownCompanies,
    private readonly vault: PersonalDataVault,
    private readonly contacts: Contacts,
    private readonly accounts: AccountListProjection,
    private readonly opportunities: OpportunityListProjection,
    private readonly touches: TouchListProjection,
    private readonly campaigns: CampaignListProjection,
  ) {}

  private readonly adminKey = adminKey();

  /**
   * A person of `companyId` as the directory knows them. The app learns people from the
   * directory's topic: one added a moment ago may not have arrived yet, so an unknown one is
   * waited for briefly before the request is refused.
   */
  private async personOf(personId: string, companyId: string): Promise<boolean> {
    for (let waited = 0; !this.companies.isPersonOf(personId, companyId); waited += 100) {
      // Known as someone else's, or still unknown after the wait.
      if (this.companies.knowsPerson(personId) || waited >= PERSON_WAIT_MS) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return true;
  }

  private async mine(personId: string, p: Principal) {
    if (!(await this.personOf(personId, p.companyId))) throw notYourPerson(personId);
  }

  private async runAccount(command: CommandInput<AccountCommand>, m: CommandMetadata, p: Principal) {
    const { state } = await this.commands.execute(new ExecuteAccountCommand(command, m));
    return accountView(state, p, command.accountId, this.vault);
  }

  @Post('accounts')
  @HttpCode(201)
  @ApiOperation({ summary: 'Name a target account (a person of your company): a registered company, a prospect, or an industry; a tier and an owner' })
  async target(
    @Body() body: TargetAccountRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.mine(body.ownerId, p);
    const t = body.target;
    const target: AccountTarget = {
      kind: t.kind,
      companyId: t.companyId ?? null,
      name: t.name ?? null,
      registrationNumber: t.registrationNumber ?? null,
      country: t.country ?? null,
      naceCode: t.naceCode ?? null,
    };
    if (t.kind === 'company' && t.companyId && !this.companies.isRegistered(t.companyId))
      throw invalid('accounts.unknown_company', `no company ${t.companyId} in the directory: target it as a prospect`);
    if (t.kind === 'prospect' && t.registrationNumber && t.country) {
      const companyId = prospectCompanyId(target);
      if (companyId === null)
        throw invalid(
          'accounts.ambiguous_registration_number',
          `${t.registrationNumber} is not plain letters and digits as the directory reads registration numbers`,
        );
      if (this.companies.isRegistered(companyId)) throw AccountErrors.alreadyRegistered(companyId);
    }
    const accountId = uuidV5(`account:${p.companyId}:${targetKey(target)}`);
    res.location(`/accounts/${accountId}`);
    return this.runAccount({ type: 'TargetAccount', accountId, sellerId: p.companyId, target, tier: body.tier, ownerId: body.ownerId }, m, p);
  }

  @Get('accounts')
  @ApiOperation({ summary: "Your target accounts, newest first, with each one's last touch and committee size" })
  async list(@Query() q: ListQuery, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    await this.accounts.catchUp();
    const limit = q.limit ?? 50;
    const after = checkedCursor(q.after);
    const rows: Record<string, any>[] = await this.db.query(
      `SELECT * FROM ${this.accounts.table} WHERE seller_id = $1 ${after ? 'AND targeted_pos < $3' : ''} ORDER BY targeted_pos DESC LIMIT $2`,
      after ? [p.companyId, limit + 1, after] : [p.companyId, limit + 1],
    );
    const page = pageOf(
      rows,
      limit,
      (r) => Number(r.targeted_pos),
      (r) => ({
        accountId: r.account_id,
        target: {
          kind: r.target_kind,
          companyId: r.company_id,
          name: r.name,
          registrationNumber: r.registration_number,
          country: r.country,
          naceCode: r.nace_code,
        },
        tier: r.tier,
        ownerId: r.owner_id,
        team: Object.keys(r.team).length,
        stakeholders: Object.keys(r.stakeholders).length,
        lastTouchAt: r.last_touch_at ? new Date(r.last_touch_at).toISOString() : null,
      }),
    );
    return withNextLink(req, page);
  }

  @Get('accounts/:id')
  @ApiOperation({
    summary: 'An account: target, tier, owner, team, the committee map (contacts opened unless erased) and the decision roles nobody on it plays',
  })
  async get(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    const { state, version } = await loadAccount(this.store, id);
    return { ...(await accountView(state, p, id, this.vault)), version };
  }

  @Get('accounts/:id/committee')
  @ApiOperation({ summary: 'The buying committee as you had mapped it at `asOf`: every change is an event, so any past map can be seen' })
  async committee(@Param('id', uuidParam) id: string, @Query() q: CommitteeQuery, @CurrentPrincipal() p: Principal) {
    const { state, events } = await loadAccount(this.store, id);
    ownAccount(state, p, id);
    const asOf = q.asOf ?? new Date().toISOString();
    return { accountId: id, asOf, committee: await committeeView(events, asOf, this.vault) };
  }

  @Post('accounts/:id/team')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put one of your people on the account team, in a part' })
  async assign(@Param('id', uuidParam) id: string, @Body() body: TeamMemberRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    await this.mine(body.personId, p);
    return this.runAccount({ type: 'AssignTeamMember', accountId: id, personId: body.personId, part: body.part }, m, p);
  }

  @Post('accounts/:id/team/:personId/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a person off the account team' })
  release(
    @Param('id', uuidParam) id: string,
    @Param('personId', uuidParam) personId: string,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    return this.runAccount({ type: 'ReleaseTeamMember', accountId: id, personId }, m, p);
  }

  @Post('accounts/:id/stakeholders')
  @HttpCode(201)
  @ApiOperation({ summary: "Map a person of the buyer's buying committee: a directory person, or a contact (sealed, erasable); a decision role and a stance" })
  async mapStakeholder(
    @Param('id', uuidParam) id: string,
    @Body() body: StakeholderRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    if ((body.personId === undefined) === (body.contact === undefined))
      throw invalid('accounts.person_or_contact', 'give either personId or contact, not both');
    if (body.personId) {
      // A directory person on the map is one of the targeted company's people.
      const { state } = await loadAccount(this.store, id);
      const companyId = effectiveCompanyId(ownAccount(state, p, id));
      if (companyId === null || !(await this.personOf(body.personId, companyId)))
        throw invalid('accounts.not_their_person', `${body.personId} is not a person of the account's company in the directory: map them as a contact`);
    }
    const stakeholderId = uuidV5(`stakeholder:${id}:${m.commandId}`);
    const command = { type: 'MapStakeholder' as const, accountId: id, stakeholderId, position: body.position, role: body.role, stance: body.stance };
    const { state } = body.contact
      ? await this.contacts.map(
          { ...command, personId: null },
          { name: body.contact.name, email: body.contact.email.toLowerCase(), profileUrl: body.contact.profileUrl },
          m,
        )
      : await this.commands.execute(new ExecuteAccountCommand({ ...command, personId: body.personId!, contact: null }, m));
    return { stakeholderId, ...(await accountView(state, p, id, this.vault)) };
  }

  @Post('accounts/:id/stakeholders/:stakeholderId')
  @HttpCode(200)
  @ApiOperation({ summary: "A stakeholder's decision role or stance changed" })
  change(
    @Param('id', uuidParam) id: string,
    @Param('stakeholderId', uuidParam) stakeholderId: string,
    @Body() body: StakeholderChangeRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    return this.runAccount({ type: 'ChangeStakeholder', accountId: id, stakeholderId, role: body.role, stance: body.stance }, m, p);
  }

  @Post('accounts/:id/stakeholders/:stakeholderId/remove')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a stakeholder off the map (the past maps keep them)' })
  remove(
    @Param('id', uuidParam) id: string,
    @Param('stakeholderId', uuidParam) stakeholderId: string,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    return this.runAccount({ type: 'RemoveStakeholder', accountId: id, stakeholderId }, m, p);
  }

  @Delete('accounts/:id/stakeholders/:stakeholderId/contact')
  @HttpCode(200)
  @ApiOperation({ summary: "Erase a contact's name, e-mail and profile: their key is deleted, the log keeps the sealed record unreadable" })
  async erase(
    @Param('id', uuidParam) id: string,
    @Param('stakeholderId', uuidParam) stakeholderId: string,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    const { state } = await this.contacts.erase(id, stakeholderId, m);
    return accountView(state, p, id, this.vault);
  }

  /** The same erasure at an operator's hands (a request that reached the operator rather than the seller). */
  @Public()
  @Delete('admin/accounts/:id/stakeholders/:stakeholderId/contact')
  @ApiTags('operations')
  @ApiHeader({ name: 'X-Admin-Key', required: true, description: 'ADMIN_KEY' })
  @ApiOperation({ summary: "Erase a contact's name, e-mail and profile as an operator; idempotent" })
  async eraseAsOperator(
    @Param('id', uuidParam) id: string,
    @Param('stakeholderId', uuidParam) stakeholderId: string,
    @Headers('x-admin-key') key: string | undefined,
    @CommandMeta() m: CommandMetadata,
  ) {
    checkAdminKey(key, this.adminKey);
    await this.contacts.erase(id, stakeholderId, { ...m, requester: null });
    return { stakeholderId, erased: true };
  }

  @Post('accounts/:id/touches')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a touch: a conference meeting, demonstration, mailing, e-mail, call, visit or publication, with the people on both sides' })
  async touch(@Param('id', uuidParam) id: string, @Body() body: TouchRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    for (const personId of body.sellerPeople) await this.mine(personId, p);
    if (body.campaignId) {
      const campaign = await this.store.readStream(campaignStreamId(body.campaignId));
      const launched = campaign[0]?.data as { sellerId?: string; channel?: string } | undefined;
      if (launched?.sellerId !== p.companyId) throw invalid('accounts.unknown_campaign', `no campaign ${body.campaignId} of your company`);
      // A campaign groups touches of its channel: attribution counts by it.
      if (launched.channel !== body.channel) throw invalid('accounts.campaign_channel', `the campaign runs on ${launched.channel}, not ${body.channel}`);
    }
    const touchId = uuidV5(`touch:${id}:${m.commandId}`);
    const view = await this.runAccount(
      {
        type: 'RecordTouch',
        accountId: id,
        touchId,
        channel: body.channel,
        at: new Date(body.at).toISOString(),
        campaignId: body.campaignId ?? null,
        sellerPeople: body.sellerPeople,
        stakeholderIds: body.stakeholderIds,
        summary: body.summary,
      },
      m,
      p,
    );
    return { touchId, ...view };
  }

  @Post('campaigns')
  @HttpCode(201)
  @ApiOperation({ summary: 'Launch a campaign that groups touches of one channel' })
  async launch(@Body() body: CampaignRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    const campaignId = uuidV5(`campaign:${p.companyId}:${m.commandId}`);
    const command = {
      type: 'LaunchCampaign' as const,
      campaignId,
      sellerId: p.companyId,
      name: body.name,
      channel: body.channel,
      startsAt: new Date(body.startsAt).toISOString(),
    };
    const { state } = await this.commands.execute(new ExecuteCampaignCommand(command, m));
    return state;
  }

  @Get('campaigns')
  @ApiOperation({ summary: 'Your campaigns, newest first' })
  async listCampaigns(@CurrentPrincipal() p: Principal) {
    await this.campaigns.catchUp();
    const rows: Record<string, any>[] = await this.db.query(`SELECT * FROM ${this.campaigns.table} WHERE seller_id = $1 ORDER BY launched_pos DESC LIMIT 500`, [
      p.companyId,
    ]);
    return rows.map((r) => ({ campaignId: r.campaign_id, name: r.name, channel: r.channel, startsAt: new Date(r.starts_at).toISOString() }));
  }

  private async runOpportunity(command: CommandInput<OpportunityCommand>, m: CommandMetadata, p: Principal) {
    await this.commands.execute(new ExecuteOpportunityCommand(command, m));
    const { state, openedAt } = await loadOpportunity(this.store, command.opportunityId);
    return opportunityView(state, p, command.opportunityId, openedAt);
  }

  @Post('opportunities')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Open an opportunity with one of your accounts' company: expected volume and value. From the offer stage on it follows the ledger's own deals with that buyer",
  })
  async open(@Body() body: OpportunityRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    const { state } = await loadAccount(this.store, body.accountId);
    const account = ownAccount(state, p, body.accountId);
    if (account.target.kind === 'industry') throw OpportunityErrors.industryAccount();
    const opportunityId = uuidV5(`opportunity:${p.companyId}:${m.commandId}`);
    res.location(`/opportunities/${opportunityId}`);
    const { title, expectedValue, currency, expectedVolume } = body;
    const buyerId = effectiveCompanyId(account);
    return this.runOpportunity(
      { type: 'OpenOpportunity', opportunityId, sellerId: p.companyId, accountId: body.accountId, buyerId, title, expectedValue, currency, expectedVolume },
      m,
      p,
    );
  }

  @Get('opportunities')
  @ApiOperation({ summary: 'Your opportunities, newest first, by stage or account' })
  async listOpportunities(@Query() q: OpportunityListQuery, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    await this.opportunities.catchUp();
    const limit = q.limit ?? 50;
    const after = checkedCursor(q.after);
    const params: unknown[] = [p.companyId];
    const where = ['seller_id = $1'];
    const param = (v: unknown) => `$${params.push(v)}`;
    if (q.stage) where.push(`stage = ${param(q.stage)}`);
    if (q.accountId) where.push(`account_id = ${param(q.accountId)}`);
    if (after) where.push(`opened_pos < ${param(after)}`);
    const rows: Record<string, any>[] = await this.db.query(
      `SELECT * FROM ${this.opportunities.table} WHERE ${where.join(' AND ')} ORDER BY opened_pos DESC LIMIT ${param(limit + 1)}`,
      params,
    );
    return withNextLink(
      req,
      pageOf(rows, limit, (r) => Number(r.opened_pos), opportunityRow),
    );
  }

  @Get('opportunities/:id')
  @ApiOperation({ summary: 'An opportunity: stage, the deal it follows, every stage reached and when' })
  async getOpportunity(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    const { state, version, openedAt } = await loadOpportunity(this.store, id);
    return { ...opportunityView(state, p, id, openedAt), version };
  }

  @Post('opportunities/:id/stage')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move an opportunity by hand: forward to contacted or qualified, or lost with a reason (offer, negotiation and won follow the ledger)',
  })
  move(@Param('id', uuidParam) id: string, @Body() body: StageRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.runOpportunity({ type: 'MoveStage', opportunityId: id, to: body.to, reason: body.reason ?? null }, m, p);
  }

  @Get('pipeline')
  @ApiOperation({
    summary:
      'Your pipeline: value and weighted value per stage, conversion and cycle time per stage, win and loss reasons, first- and last-touch channel attribution, stale accounts and committee coverage (formulas in the README)',
  })
  async pipeline(@Query() q: PipelineQuery, @CurrentPrincipal() p: Principal) {
    await Promise.all([this.accounts.catchUp(), this.opportunities.catchUp(), this.touches.catchUp()]);
    const [opportunities, touches, accounts] = await Promise.all([
      this.db.query(`SELECT * FROM ${this.opportunities.table} WHERE seller_id = $1`, [p.companyId]),
      this.db.query(sellerTouchesSql(this.touches.table), [p.companyId]),
      this.db.query(`SELECT account_id, target_kind, last_touch_at, stakeholders FROM ${this.accounts.table} WHERE seller_id = $1`, [p.companyId]),
    ]);
    return pipelineReport({
      opportunities: opportunities.map((r: Record<string, any>) => ({ ...opportunityRow(r), history: r.history })),
      touches: touches.map((r: Record<string, any>) => ({
        accountId: r.account_id,
        channel: r.channel,
        at: new Date(r.at).toISOString(),
        campaignId: r.campaign_id,
      })),
      accounts: accounts.map((r: Record<string, any>) => ({
        accountId: r.account_id,
        targetKind: r.target_kind,
        lastTouchAt: r.last_touch_at ? new Date(r.last_touch_at).toISOString() : null,
        stakeholders: r.stakeholders,
      })),
      now: new Date(),
      staleDays: q.staleDays ?? 30,
    });
  }
}

function opportunityRow(r: Record<string, any>) {
  return {
    opportunityId: r.opportunity_id,
    accountId: r.account_id,
    buyerId: r.buyer_id,
    title: r.title,
    stage: r.stage,
    expectedValue: r.expected_value,
    currency: r.currency,
    deal: r.deal_id ? { kind: r.deal_kind, id: r.deal_id } : null,
    reason: r.reason,
    /** Contracts from its deal in force: value and currency as signed. */
    contracts: r.contracts ?? [],
    openedAt: new Date(r.opened_at).toISOString(),
  };
}
