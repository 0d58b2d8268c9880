import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SystemClock } from '@lethe/clock';
@Injectable() class A { v = new SystemClock(); }
@Injectable() class B { constructor(readonly a: A) {} }
@Module({ providers: [A, B] }) class M {}
const app = await NestFactory.createApplicationContext(M, { logger: false });
console.log(app.get(B).a.v.now().toISOString());
await app.close();
