import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { VrpcModule } from '@vrpc/nestjs';
import { loadYamlConfig, vrpcOptionsFromConfig } from './demo-config.js';
import { GreeterController } from './greeter.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ load: [loadYamlConfig], ignoreEnvFile: true }),
    VrpcModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: vrpcOptionsFromConfig,
    }),
  ],
  controllers: [GreeterController],
})
export class AppModule {}
