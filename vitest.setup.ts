import 'reflect-metadata';
import { Logger } from '@nestjs/common';

// Tests report through assertions; keep Nest's (and kafkajs') chatter to warnings and errors.
Logger.overrideLogger(['error', 'warn']);
