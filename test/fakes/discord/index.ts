export { createFakeDiscord } from './server.js';
export type {
  AutocompleteInput,
  ButtonClickInput,
  FailOptions,
  FakeAttachment,
  FakeDiscord,
  FakeDiscordOptions,
  FakeInteraction,
  FakeMember,
  FakeMessage,
  RegisteredCommands,
  RequestRecord,
  SlashCommandInput,
} from './types.js';
